from cchc.core.access import get_scope


def test_world_builds_two_agencies_with_plans(world):
    assert world.a.plan.tasks.count() == 2
    assert world.b.task.agency == world.b.agency
    scope = get_scope(world.appraiser)
    assert scope.can_read_agency(world.a.agency.pk)
    assert scope.can_read_agency(world.b.agency.pk)
    assert not get_scope(world.a.officer).can_read_agency(world.b.agency.pk)
